/* `lineprof export`: the whole-program profile of a run in a format other
 * tools read: callgrind (callgrind_annotate, KCachegrind, QCachegrind) or
 * JSON (documented in docs/usage.md).
 *
 * Read-only on the database; writes stdout or the -o file, never leaving a
 * silently truncated file: an output error is reported and exits non-zero.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "db.h"
#include "diag.h"
#include "json.h"
#include "lineprof.h"
#include "model.h"
#include "schema.h"

static const char lp_export_usage[] =
    "Usage: lineprof export [--db PATH] [--run N|all] "
    "--format callgrind|json [-o FILE]\n";
static const char lp_export_help[] =
    "  --db PATH             database (default: $LINEPROF_DB, ./lineprof.db)\n"
    "  --run N|all           run to export (default: the latest run);\n"
    "                        'all' sums over every run\n"
    "  --format FORMAT       callgrind: for callgrind_annotate and KCachegrind\n"
    "                        (events Time_ns, self time, and Hits per line;\n"
    "                        calls with inclusive time); json: everything\n"
    "  -o, --output FILE     write FILE instead of stdout\n";

static int lp_cmd_export_run(struct lp_state *st, int argc, char **argv);

const struct lp_command lp_cmd_export = {
    "export", "write a run as a callgrind profile or as JSON",
    lp_cmd_export_run, lp_export_usage, lp_export_help};

static const struct lp_option lp_export_options[] = {
    {"db", 0, 1, LP_OPT_DB},         {"run", 0, 1, LP_OPT_RUN},
    {"format", 0, 1, LP_OPT_FORMAT}, {"output", 'o', 1, LP_OPT_OUTPUT},
    {"help", 'h', 0, LP_OPT_HELP},   {0, 0, 0, 0},
};

/* callgrind name compression: "(id) name" the first time, "(id)" after. */
static void lp_cg_name(FILE *out, const char *key, size_t id, const char *name,
                       char *seen) {
  if (seen[id])
    fprintf(out, "%s=(%zu)\n", key, id + 1);
  else
    fprintf(out, "%s=(%zu) %s\n", key, id + 1, name);
  seen[id] = 1;
}

/* The name callgrind shows for function i: its display name, or its
 * linkage name when another function has the same display name. */
static const char *lp_cg_function_name(const struct lp_model *m, size_t i,
                                       const char *duplicate) {
  return duplicate[i] ? m->functions[i].linkage_name : m->functions[i].name;
}


static const struct lp_model *lp_names_model; /* for lp_compare_by_name */

static int lp_compare_by_name(const void *a, const void *b) {
  const struct lp_model_function *f = lp_names_model->functions;
  return strcmp(f[*(const size_t *)a].name, f[*(const size_t *)b].name);
}

static int lp_write_callgrind(FILE *out, const struct lp_model *m) {
  char *file_seen = calloc(m->nfiles + 1, 1);
  char *fn_seen = calloc(m->nfunctions + 1, 1);
  char *duplicate = calloc(m->nfunctions + 1, 1);
  size_t *by_name = malloc((m->nfunctions + 1) * sizeof *by_name);
  if (!file_seen || !fn_seen || !duplicate || !by_name) {
    free(file_seen);
    free(fn_seen);
    free(duplicate);
    free(by_name);
    return lp_out_of_memory();
  }
  for (size_t i = 0; i < m->nfunctions; i++)
    by_name[i] = i;
  lp_names_model = m;
  qsort(by_name, m->nfunctions, sizeof *by_name, lp_compare_by_name);
  for (size_t i = 1; i < m->nfunctions; i++)
    if (strcmp(m->functions[by_name[i]].name,
               m->functions[by_name[i - 1]].name) == 0)
      duplicate[by_name[i]] = duplicate[by_name[i - 1]] = 1;

  long long hits = 0;
  for (size_t i = 0; i < m->nlines; i++)
    hits += m->lines[i].hits;
  fprintf(out, "# callgrind format\nversion: 1\ncreator: lineprof %s\n",
          LINEPROF_VERSION);
  if (m->run_id != LP_RUN_ALL && m->nruns == 1) {
    fprintf(out, "pid: %lld\ncmd: %s\n", m->runs[0].pid, m->runs[0].command);
    fprintf(out, "desc: Run: %lld\n", m->runs[0].run_id);
  } else {
    fprintf(out, "cmd: %zu runs, summed\n", m->nruns);
  }
  fprintf(out, "desc: Time_ns: self time on the line, ns (calls: inclusive)\n"
               "desc: Hits: times the line ran\n"
               "positions: line\nevents: Time_ns Hits\nsummary: %lld %lld\n",
          m->total_self_ns, hits);

  size_t call = 0;
  for (size_t f = 0; f < m->nfunctions; f++) {
    const struct lp_model_function *fn = &m->functions[f];
    if (fn->nlines == 0)
      continue;
    putc('\n', out);
    lp_cg_name(out, "fl", fn->file, m->files[fn->file].path, file_seen);
    lp_cg_name(out, "fn", f, lp_cg_function_name(m, f, duplicate), fn_seen);
    size_t current = fn->file; /* file of the cost lines being written */
    for (size_t k = fn->first_line; k < fn->first_line + fn->nlines; k++) {
      const struct lp_model_line *l = &m->lines[k];
      if (l->file != current) {
        /* Inlined from another file: fi= there, fe= back home. */
        lp_cg_name(out, l->file == fn->file ? "fe" : "fi", l->file,
                   m->files[l->file].path, file_seen);
        current = l->file;
      }
      fprintf(out, "%ld %lld %lld\n", l->line_no, l->self_ns, l->hits);
      while (call < m->ncalls && m->calls[call].line < k)
        call++;
      for (; call < m->ncalls && m->calls[call].line == k; call++) {
        const struct lp_model_call *c = &m->calls[call];
        /* An unprofiled callee's time is already the line's self time. */
        if (c->callee == LP_NONE || c->calls == 0)
          continue;
        const struct lp_model_function *callee = &m->functions[c->callee];
        lp_cg_name(out, "cfi", callee->file, m->files[callee->file].path,
                   file_seen);
        lp_cg_name(out, "cfn", c->callee,
                   lp_cg_function_name(m, c->callee, duplicate), fn_seen);
        fprintf(out, "calls=%lld %ld\n%ld %lld\n", c->calls, callee->line_no,
                l->line_no, c->time_ns);
      }
    }
  }
  free(file_seen);
  free(fn_seen);
  free(duplicate);
  free(by_name);
  return LP_OK;
}

/* JSON null for a negative "unknown" value, else the number. */
static void lp_json_optional(FILE *out, long long v) {
  if (v < 0)
    fputs("null", out);
  else
    fprintf(out, "%lld", v);
}

static int lp_write_json(FILE *out, const struct lp_model *m) {
  fprintf(out, "{\n  \"format\": \"lineprof-profile\",\n  \"version\": 1,\n"
               "  \"tool_version\": ");
  lp_json_string(out, LINEPROF_VERSION);
  fprintf(out, ",\n  \"schema_version\": %d,\n  \"run\": ", LP_SCHEMA_VERSION);
  if (m->run_id == LP_RUN_ALL)
    fputs("\"all\"", out);
  else
    fprintf(out, "%lld", m->run_id);
  fprintf(out, ",\n  \"total_self_ns\": %lld,\n  \"runs\": [", m->total_self_ns);
  for (size_t i = 0; i < m->nruns; i++) {
    const struct lp_model_run *r = &m->runs[i];
    fprintf(out, "%s\n    {\"run_id\": %lld, \"command\": ", i ? "," : "",
            r->run_id);
    lp_json_string(out, r->command);
    fprintf(out, ", \"pid\": %lld, \"status\": ", r->pid);
    lp_json_string(out, r->status);
    fprintf(out, ", \"start_ns\": %lld, \"end_ns\": ", r->start_ns);
    lp_json_optional(out, r->end_ns);
    fputs(", \"exit_status\": ", out);
    lp_json_optional(out, r->exit_status);
    putc('}', out);
  }
  fputs("\n  ],\n  \"files\": [", out);
  for (size_t i = 0; i < m->nfiles; i++) {
    fprintf(out, "%s\n    {\"id\": %zu, \"path\": ", i ? "," : "", i);
    lp_json_string(out, m->files[i].path);
    fputs(", \"checksum\": ", out);
    lp_json_string(out, m->files[i].checksum);
    putc('}', out);
  }
  fputs("\n  ],\n  \"functions\": [", out);
  for (size_t i = 0; i < m->nfunctions; i++) {
    const struct lp_model_function *fn = &m->functions[i];
    fprintf(out, "%s\n    {\"id\": %zu, \"file\": %zu, \"name\": ", i ? "," : "",
            i, fn->file);
    lp_json_string(out, fn->name);
    fputs(", \"linkage_name\": ", out);
    lp_json_string(out, fn->linkage_name);
    fprintf(out,
            ", \"line\": %ld, \"calls\": %lld, \"primitive_calls\": %lld, "
            "\"inclusive_ns\": %lld, \"self_ns\": %lld, \"hits\": %lld}",
            fn->line_no, fn->calls, fn->primitive_calls, fn->inclusive_ns,
            fn->self_ns, fn->hits);
  }
  fputs("\n  ],\n  \"lines\": [", out);
  for (size_t i = 0; i < m->nlines; i++) {
    const struct lp_model_line *l = &m->lines[i];
    fprintf(out,
            "%s\n    {\"function\": %zu, \"file\": %zu, \"line\": %ld, "
            "\"hits\": %lld, \"time_ns\": %lld, \"self_ns\": %lld}",
            i ? "," : "", l->function, l->file, l->line_no, l->hits,
            l->time_ns, l->self_ns);
  }
  fputs("\n  ],\n  \"calls\": [", out);
  for (size_t i = 0; i < m->ncalls; i++) {
    const struct lp_model_call *c = &m->calls[i];
    const struct lp_model_line *l = &m->lines[c->line];
    fprintf(out, "%s\n    {\"function\": %zu, \"file\": %zu, \"line\": %ld, "
                 "\"callee\": ",
            i ? "," : "", l->function, l->file, l->line_no);
    if (c->callee == LP_NONE)
      fputs("null", out);
    else
      fprintf(out, "%zu", c->callee);
    fputs(", \"callee_name\": ", out);
    lp_json_string(out, c->callee_name);
    fprintf(out, ", \"calls\": %lld, \"time_ns\": %lld}", c->calls,
            c->time_ns);
  }
  fputs("\n  ]\n}\n", out);
  return LP_OK;
}

static int lp_cmd_export_run(struct lp_state *st, int argc, char **argv) {
  struct lp_model m = {0};
  st->run_id = LP_RUN_LATEST;
  int status = lp_parse_command(st, &lp_cmd_export, lp_export_options, argc,
                                argv, LP_OPERANDS_ANYWHERE);
  if (status != LP_OK)
    return status;
  if (st->noperands > 0)
    return lp_bad_arguments(LP_ARG_OPERAND, st->operands[0], lp_export_usage);
  if (!st->format)
    return lp_command_misuse(&lp_cmd_export,
                             "no --format given: callgrind or json");

  st->db_path = lp_db_path(st->db_path);
  if ((status = lp_db_open(st->db_path, &st->db)) != LP_OK ||
      (status = lp_db_select_run(st->db, st->db_path, &st->run_id)) != LP_OK)
    return status;
  int rc = lp_model_load(st->db, st->run_id, &m);
  if (rc != SQLITE_OK)
    return rc == SQLITE_NOMEM ? lp_out_of_memory()
                              : lp_db_error(st->db, st->db_path);

  FILE *out = stdout;
  if (st->output && !(out = fopen(st->output, "w"))) {
    lp_error("cannot write '%s': %s", st->output, strerror(errno));
    lp_model_free(&m);
    return LP_ERR_SYSTEM;
  }
  status = strcmp(st->format, "json") == 0 ? lp_write_json(out, &m)
                                           : lp_write_callgrind(out, &m);
  if (out != stdout) {
    errno = 0;
    if ((ferror(out) | fclose(out)) && status == LP_OK) {
      lp_error("cannot write '%s': %s", st->output,
               strerror(errno ? errno : EIO));
      status = LP_ERR_SYSTEM;
    }
  }
  lp_model_free(&m);
  return status;
}

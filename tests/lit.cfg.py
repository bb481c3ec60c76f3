# lit configuration for the IR tests (tests/ir) and the end-to-end tests
# (tests/e2e). Paths come from the lit.site.cfg.py that CMake generates in the
# build tree, named by --param lineprof_site_config=PATH (tests/CMakeLists.txt).
import os
import lit.formats

site = lit_config.params.get("lineprof_site_config")
if not site:
    lit_config.fatal("run through ctest, or pass --param lineprof_site_config=BUILD/tests/lit.site.cfg.py")
exec(open(site).read())

config.name = "lineprof"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".ll", ".c", ".cpp", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.lineprof_obj_root, "tests")
config.excludes = ["fixtures", "cli", "unit", "lit.cfg.py", "Inputs"]

config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
# Tests must not see a database or runtime chosen by the caller.
for var in ("LINEPROF", "LINEPROF_DB", "LINEPROF_RUNTIME", "LINEPROF_MODE",
            "LINEPROF_PLAIN_COPIES", "NO_COLOR"):
    config.environment.pop(var, None)

plugin = os.path.join(config.lineprof_obj_root, "lib", "libline.so")
config.substitutions += [
    ("%clangxx", config.clangxx),
    ("%clang", config.clang),
    ("%opt", os.path.join(config.llvm_tools_dir, "opt")),
    ("%plugin_dir", os.path.dirname(plugin)),
    ("%plugin", plugin),
    ("%cflags", "-g -fpass-plugin=" + plugin),
    ("%lineprof", os.path.join(config.lineprof_obj_root, "bin", "lineprof")),
    ("%fixtures", os.path.join(config.test_source_root, "fixtures")),
    ("%scripts", os.path.join(config.test_source_root, "e2e", "Inputs")),
    ("%python", config.python),
    ("%llvm_cov", os.path.join(config.llvm_tools_dir, "llvm-cov")),
    ("%llvm_profdata", os.path.join(config.llvm_tools_dir, "llvm-profdata")),
]
config.available_features.add("llvm-%d" % config.llvm_major)
import shutil
if shutil.which("valgrind"):
    config.available_features.add("valgrind")
if shutil.which("gdb"):
    config.available_features.add("gdb")

# With -DLINEPROF_SANITIZE=ON the runtime and the CLI carry ASan and UBSan.
# The programs under test do not: every process gets the shared ASan
# runtime preloaded, so that the runtime it loads finds it. ASan leaves
# signals to the program (the exit-path tests check them), and reports no
# leaks of the tools the tests run (clang, python); the CLI's leaks are
# checked by the ctest tests that run it directly.
if config.sanitize:
    config.available_features.add("sanitize")
    config.environment["LD_PRELOAD"] = config.asan_runtime
    config.environment["ASAN_OPTIONS"] = ":".join([
        "detect_leaks=0", "handle_segv=0", "handle_sigbus=0", "handle_sigfpe=0",
        "handle_sigill=0", "handle_abort=0", "allow_user_segv_handler=1",
        "abort_on_error=0", "exitcode=99"])
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:exitcode=98"

# A clang of another LLVM major version, if one is installed, to check that
# the plugin refuses to load into it.
import shutil
for other in (19, 14, 22, 16, 15):
    path = shutil.which("clang-%d" % other)
    if other != config.llvm_major and path:
        config.substitutions.append(("%other_clang", path))
        config.available_features.add("other-clang")
        break

-- Added to fixture.sql for the ambiguity test: a second fib.c, from another
-- project, so that the argument `src/fib.c` names two recorded paths. It
-- lives under the work directory too, so the order of the two in the
-- message (sorted by path) is the same in every checkout.
INSERT INTO files(file_id, path, checksum) VALUES
  (4, fixture_dir() || '/other/src/fib.c', '');

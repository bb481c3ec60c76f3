-- Added to fixture.sql for the ambiguity test: a second fib.c, from another
-- project, so that the argument `src/fib.c` names two recorded paths.
INSERT INTO files(file_id, path, checksum) VALUES
  (4, '/opt/other/src/fib.c', '');

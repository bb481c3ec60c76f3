-- A real SQLite database that is not a lineprof one (user_version 0).
CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT);
INSERT INTO notes(text) VALUES ('not a profile');

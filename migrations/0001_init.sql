-- placeholder
CREATE TABLE IF NOT EXISTS placeholder(x);

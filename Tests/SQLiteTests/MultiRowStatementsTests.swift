import Testing
@testable import SQLite

/// A multi-row statement is compiled once per row count and binds row after row.
struct MultiRowStatementsTests {
    @Test func rowsAreBoundInOrderAndEachCountIsCompiledOnce() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (a INTEGER, b TEXT)")
        let inserts = MultiRowStatements(db, head: "INSERT INTO t (a, b)", columns: 2)
        let three = try inserts.statement(rows: 3)
        for row in 0..<3 {
            try three.bind(row * 10, at: Int32(row * 2 + 1))
            try three.bind("r\(row)", at: Int32(row * 2 + 2))
        }
        try three.run()
        #expect(try inserts.statement(rows: 3) === three, "the same row count reuses the compiled statement")
        let one = try inserts.statement(rows: 1)
        #expect(one !== three)
        try one.bind(99, at: 1)
        try one.bind("last", at: 2)
        try one.run()
        let rows = try db.rows("SELECT a, b FROM t ORDER BY rowid")
        #expect(rows == [[.integer(0), .text("r0")], [.integer(10), .text("r1")], [.integer(20), .text("r2")],
                         [.integer(99), .text("last")]])
    }

    @Test func aTailAndNumberedValuesAreKept() throws {
        let db = try Connection(path: ":memory:")
        try db.execute("CREATE TABLE t (k TEXT PRIMARY KEY, x INTEGER, y INTEGER)")
        try db.execute("INSERT INTO t VALUES ('old', 1, 1)")
        // Each row repeats its first parameter in two columns.
        let inserts = MultiRowStatements(db, head: "INSERT INTO t (k, x, y)", tail: "ON CONFLICT (k) DO NOTHING") { row in
            "(?\(row * 2 + 1), ?\(row * 2 + 2), ?\(row * 2 + 2))"
        }
        let two = try inserts.statement(rows: 2)
        try two.bind("old", at: 1)
        try two.bind(5, at: 2)
        try two.bind("new", at: 3)
        try two.bind(7, at: 4)
        try two.run()
        #expect(db.changes == 1)
        #expect(try db.rows("SELECT k, x, y FROM t ORDER BY k") == [[.text("new"), .integer(7), .integer(7)],
                                                                    [.text("old"), .integer(1), .integer(1)]])
    }

    @Test func aStatementThatDoesNotCompileNamesItsText() throws {
        let db = try Connection(path: ":memory:")
        let inserts = MultiRowStatements(db, head: "INSERT INTO missing (a)", columns: 1)
        #expect {
            _ = try inserts.statement(rows: 2)
        } throws: { error in
            "\(error)".contains("no such table: missing") && "\(error)".contains("INSERT INTO missing (a) VALUES (?), (?)")
        }
    }
}

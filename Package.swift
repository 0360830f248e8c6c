// swift-tools-version:6.1
import PackageDescription

/// Settings every llmq target shares: Swift 6 language mode (complete concurrency
/// checking) plus upcoming features that keep the codebase honest.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "llmq",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "llmq", targets: ["llmq"]),
        .executable(name: "fake-openai", targets: ["fake-openai"]),
        .executable(name: "bench", targets: ["bench"]),
        .library(name: "LLM", targets: ["LLM"]),
        .library(name: "FakeOpenAI", targets: ["FakeOpenAI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // Debian's libsqlite3 (apt-get install libsqlite3-dev).
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // glibc's <malloc.h> (mallopt), for the llmq executable's memory tuning.
        .systemLibrary(name: "CMalloc"),
        .target(
            name: "SQLite",
            dependencies: ["CSQLite"],
            swiftSettings: strictSettings
        ),
        // The cl100k_base and o200k_base rank files, assembled into the binary
        // (`.incbin`), so exact token counts need no file or download.
        .target(
            name: "CRankFiles",
            exclude: ["data"],
            cSettings: [.headerSearchPath("data")]
        ),
        .target(
            name: "Tokenizer",
            dependencies: ["CRankFiles", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // Token-bounded, structure-aware chunking of long inputs: pure, no I/O.
        .target(
            name: "Chunker",
            dependencies: ["Tokenizer"],
            swiftSettings: strictSettings
        ),
        // The one JSON reader (a strict streaming cursor, and a value tree built with it) and
        // writer of the project: no dependencies, below JobQueue, LLM and FakeOpenAI.
        .target(name: "JSON", swiftSettings: strictSettings),
        .target(
            name: "JobQueue",
            dependencies: [
                "JSON",
                "SQLite",
                "Tokenizer",
                "Chunker",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings,
            plugins: ["EmbedMigrations"]
        ),
        // The int8 first pass of `llmq search` (SSE2/AVX2 with runtime dispatch).
        .target(name: "CSearchKernel"),
        .target(
            name: "Search",
            dependencies: ["SQLite", "JobQueue", "CSearchKernel"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "LLM",
            dependencies: [
                "JSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Worker",
            dependencies: [
                "LLM",
                "JobQueue",
                "Tokenizer",
                "Chunker",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "FakeOpenAI",
            dependencies: [
                "JSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "llmq",
            dependencies: [
                "CMalloc",
                "JSON",
                "SQLite",
                "JobQueue",
                "LLM",
                "Worker",
                "Search",
                "Tokenizer",
                "Chunker",
                "FakeOpenAI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "fake-openai",
            dependencies: [
                "FakeOpenAI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "bench",
            dependencies: [
                "JSON",
                "SQLite",
                "JobQueue",
                "LLM",
                "Worker",
                "Tokenizer",
                "Chunker",
                "FakeOpenAI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        // Turns migrations/*.sql into Swift source at build time, so the binary
        // carries the schema and migrations/ stays its single source of truth.
        .executableTarget(
            name: "MigrationEmbedder",
            swiftSettings: strictSettings
        ),
        .plugin(
            name: "EmbedMigrations",
            capability: .buildTool(),
            dependencies: ["MigrationEmbedder"]
        ),
        // Helpers the test targets share (a temporary folder per test).
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strictSettings),
        .testTarget(name: "JSONTests", dependencies: ["JSON"], swiftSettings: strictSettings),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "JobQueueTests", dependencies: ["JobQueue", "JSON", "Chunker", "SQLite", "TestSupport", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strictSettings),
        .testTarget(name: "SearchTests", dependencies: ["Search", "CSearchKernel", "JobQueue", "JSON", "SQLite", "TestSupport"], swiftSettings: strictSettings),
        // Data/: the corpus and tiktoken's counts, made by scripts/make-tokenizer-corpus.py.
        .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer"], exclude: ["Data"], swiftSettings: strictSettings),
        .testTarget(name: "ChunkerTests", dependencies: ["Chunker", "Tokenizer", "TestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "LLMTests",
            dependencies: ["LLM", "JSON", "FakeOpenAI", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WorkerTests",
            dependencies: ["Worker", "JobQueue", "JSON", "LLM", "FakeOpenAI", "SQLite", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "llmqTests",
            dependencies: ["llmq", "FakeOpenAI", "SQLite", "Tokenizer", "TestSupport"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

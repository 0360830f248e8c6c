import Foundation
import PackagePlugin

/// Build-tool plugin: feeds every `migrations/NNNN_*.sql` file at the package root to
/// `MigrationEmbedder`, which writes them into one Swift source file of the target.
/// The SQL files stay the single source of truth; the binary carries their text.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let migrationsDir = context.package.directoryURL.appending(path: "migrations")
        let names = try FileManager.default.contentsOfDirectory(atPath: migrationsDir.path())
            .filter { $0.hasSuffix(".sql") }
            .sorted()
        let inputs = names.map { migrationsDir.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) migrations",
                executable: try context.tool(named: "MigrationEmbedder").url,
                arguments: [output.path()] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}

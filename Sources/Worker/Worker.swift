/// Placeholder until the worker lands (issue 4).
public enum WorkerModule {}

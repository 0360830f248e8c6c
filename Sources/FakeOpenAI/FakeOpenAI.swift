/// Placeholder until the fake server lands (issue 3).
public enum FakeOpenAIModule {}

/// Placeholder until the provider layer lands (issue 3).
public enum LLMModule {}

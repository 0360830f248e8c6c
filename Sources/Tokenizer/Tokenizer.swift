/// Placeholder until the tokenizer lands (issue 5).
public enum TokenizerModule {}

"""Text normalisation and tokenisation (jieba for Chinese), shared by index and query."""

"""Language tools every layer shares: tokens, sentences, dates, language, names, embeddings,
linear models and the word lists under ``resources/lexicons``. Imports nothing above ``models``."""

"""Reading words: ink laid out in lines and words (layout), read whole by the word model and decoded with the word
list (with_word_model, decoder), or cut into candidate characters and searched (cut_and_search, segmentation,
search); the word list and spelling model (lexicon); what a reading gives back (reading)."""

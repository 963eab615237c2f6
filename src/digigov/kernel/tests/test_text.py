from digigov.kernel.text import MAX_QUERY_TOKENS, add_domain_words, query_tokens, text_tokens


def test_text_tokens_search_mode_dedupes_and_drops_punctuation():
    tokens = text_tokens("公积金提取，公积金。", "", "ABC")
    assert tokens.count("公积金") == 1
    assert "，" not in tokens and "。" not in tokens
    assert "abc" in tokens


def test_query_tokens_bounded_and_lowercased():
    assert query_tokens("  ，。 ") == []
    assert query_tokens("ABC") == ["abc"]
    many = " ".join(f"w{i}" for i in range(30))
    assert len(query_tokens(many)) == MAX_QUERY_TOKENS
    assert query_tokens("abcdef", max_chars=3) == ["abc"]


def test_domain_word_added_after_first_use_is_kept_whole():
    query_tokens("数字政府湾区通行码")  # loads jieba and caches this query
    add_domain_words(["湾区通行码"])
    assert "湾区通行码" in query_tokens("数字政府湾区通行码")
    assert "湾区通行码" in text_tokens("数字政府湾区通行码")

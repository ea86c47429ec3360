from fluxd.util.sanitize import SAFE_CHARS_UA_COMMENT, sanitize_string


def test_sanitize_string_keeps_only_safe_default_characters():
    assert sanitize_string("/MagicBean:6.0.0(x; y)/") == "/MagicBean:6.0.0(x; y)/"
    assert sanitize_string("/a\nb\x1b[31m<c>\t\"'é/") == "/ab31mc/"
    assert sanitize_string("a/b:(c)", SAFE_CHARS_UA_COMMENT) == "abc"

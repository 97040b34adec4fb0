QUOTES = ["Simple is better than complex.", "Readability counts."]


def pick() -> str:
    return QUOTES[0] + "\n"

"""Claims beyond the paper: the open questions of its outlook."""

"""The data behind each dashboard page, named after the page; imported only by the UI."""

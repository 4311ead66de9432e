"""Import: from an article (a page, a file or a web address) to a routine file."""

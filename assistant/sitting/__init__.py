"""A sitting: the person at the terminal, the browser beside them. One submission's session from
the duplicate guard to its recorded outcome, many of them in a batch (the next one prepared
while the person reviews this one), the human gates where the person answers (the review and
the typed `submit`, the code), and `assistant learn`'s walk where the person points.

Built on the browser (`assistant.browser`) and the records (`assistant.records`); the command
line (`assistant.cli`) is the only thing above it, with the mailbox that plugs a code source in.
"""

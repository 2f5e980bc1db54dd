"""What the assistant remembers: the journal and its ledgers, the duplicate guard that reads them,
the run lock, the receipts, and how a run's files are named.

Below the browser and the sitting: nothing here drives a page or asks the person anything.
"""

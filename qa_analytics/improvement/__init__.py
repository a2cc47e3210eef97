"""The closed improvement loop: an action register (what was done, by whom,
about which signal) and the verification of each action against the data
(did the metric it should move actually move, beyond what moved elsewhere)."""

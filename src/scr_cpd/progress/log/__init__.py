"""The CPD log: build it from the store, sign it, verify it, render it."""

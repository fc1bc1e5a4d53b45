"""The one writer: bulk writes of scores (and, with the lifecycle and outbox, every stored state)."""

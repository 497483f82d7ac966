"""The files ``kapbot init`` writes into a new practice's folder (package data, no code)."""

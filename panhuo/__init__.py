"""Panhuo (盘活): bring stock patents back to life."""

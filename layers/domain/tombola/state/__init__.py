"""What is stored (records) and how one step changes it (a Change: records, journal, effects)."""

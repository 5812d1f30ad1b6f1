# kernel data structures (P3-P7)

# types and symbols: BTF, DWARF, kallsyms, System.map (P3)

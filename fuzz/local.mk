# libFuzzer targets: `make fuzz` (clang); CI replays fuzz/corpus under ASan/UBSan.

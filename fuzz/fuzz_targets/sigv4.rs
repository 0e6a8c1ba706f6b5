#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| stratus_fuzz::sigv4(data));

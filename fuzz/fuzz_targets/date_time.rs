#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| stratus_fuzz::date_time(data));

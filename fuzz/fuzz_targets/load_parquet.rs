#![no_main]

use libfuzzer_sys::fuzz_target;
use tocsin::data::Format;

fuzz_target!(|data: &[u8]| tocsin_fuzz::load_data(Format::Parquet, data));

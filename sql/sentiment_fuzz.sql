-- sentiment_fuzz.sql — runs the libFuzzer harness of the sentiment tokenizer and
-- scorer (test/fuzz/run.sh, ASan + UBSan) for 20 seconds.  Expected output:
-- "fuzz: ok"; sentiment_fuzz_1.out accepts a machine without clang's fuzzer
-- runtime (package libclang-rt-14-dev), where the run is skipped.
\! bash test/fuzz/run.sh 20 | sed 's/ (.*//'

-- sentiment_fuzz.sql — runs the libFuzzer harness of the sentiment tokenizer and
-- scorer (test/fuzz/run.sh, ASan + UBSan) for 20 seconds.  Expected output:
-- "fuzz: ok" (test/run installs clang and its fuzzer runtime, libclang-rt-14-dev,
-- so a skipped run is a failure).
\! bash test/fuzz/run.sh 20 | sed 's/ (.*//'

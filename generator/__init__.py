"""cnnquiz's problem side: exact symbolic CNN solver, problem generator and renderers."""

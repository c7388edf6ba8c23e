"""cnnquiz: the command-line and web application on top of generator/ and grader/."""

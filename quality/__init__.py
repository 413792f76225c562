"""Great Expectations suites: what stored data must look like, checked on pandas frames."""

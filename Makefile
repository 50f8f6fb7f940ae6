# The project's make targets. `make test` is the one command that runs every test.
.PHONY: test
test:
	bash scripts/test.sh

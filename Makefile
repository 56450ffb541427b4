# The two commands the README promises, plus helpers. Every target runs the idempotent set-up.
.PHONY: setup demo test bench typecheck lint
export NX_DAEMON := false
export NX_NO_CLOUD := true
export NX_TUI := false

setup:
	@bash scripts/setup.sh

demo: setup
	@npm run --silent demo

test: setup
	@npm test --silent

bench: setup
	@npm run --silent bench

typecheck: setup
	@npm run --silent typecheck

lint: setup
	@npm run --silent lint

# Convenience targets over the scripts in scripts/ and bench/ (the scripts are the source of truth).
.PHONY: all deps run test bench clean
all:
	scripts/build.sh build
deps:
	scripts/install-deps.sh
run:
	scripts/run.sh
test:
	scripts/test.sh
bench:
	bench/idle.sh
clean:
	rm -rf build build-san

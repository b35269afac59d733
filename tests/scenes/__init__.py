"""Care circles and the helpers that go with them, shared by several test
modules. Each module here is one scene, kept as the test module it came from
wrote it; a test module imports the fixtures it needs by name."""

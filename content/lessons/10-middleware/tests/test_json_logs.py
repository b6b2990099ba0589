import io
import json
import logging
import sys


def test_each_record_is_one_json_object_with_its_request_id(example):
    module = example("json_logs")
    stream = io.StringIO()
    handler = module.json_handler()
    handler.setStream(stream)
    logger = logging.getLogger("test.json_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("paid %d books", 3, extra={"request_id": "4f1c"})
        logger.warning("no id here")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "paid 3 books"
    assert first["request_id"] == "4f1c"
    assert (first["level"], first["logger"]) == ("INFO", "test.json_logs")
    assert second["request_id"] is None
    assert "error" not in second


def test_an_exception_is_kept_in_the_record(example):
    formatter = example("json_logs").JsonFormatter()
    try:
        raise ValueError("bad year")
    except ValueError:
        record = logging.LogRecord("shop", logging.ERROR, __file__, 1, "failed", (), None)
        record.exc_info = sys.exc_info()
    entry = json.loads(formatter.format(record))
    assert "ValueError: bad year" in entry["error"]

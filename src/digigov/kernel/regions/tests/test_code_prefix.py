from digigov.kernel.regions.selectors import region_code_prefix


def test_a_region_covers_the_codes_that_start_with_its_prefix():
    assert region_code_prefix("440000") == "44"
    assert region_code_prefix("440100") == "4401"
    assert region_code_prefix("440103") == "440103"
    # a town code ending in 00 is still only itself, not its city
    assert region_code_prefix("440103100") == "440103100"
    assert region_code_prefix(" 440300 ") == "4403"

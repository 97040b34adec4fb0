"""Ruby: slim runtime of the same version, BUNDLE_WITHOUT, gems and their libraries."""
from __future__ import annotations

import pytest

from msbrewrite import convert
from msbrewrite.languages.scripting import slim_tag

GEMS = "FROM ruby:{tag}\nWORKDIR /app\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\nCOPY . .\n" \
       "CMD [\"bundle\", \"exec\", \"puma\"]\n"


@pytest.mark.parametrize("tag,slim", [("3.1", "3.1-slim"), ("3.2-bookworm", "3.2-slim-bookworm"),
                                      ("latest", "slim"), ("3.3-slim", "3.3-slim"), ("3.3-alpine", "3.3-alpine")])
def test_slim_tag(tag, slim):
    assert slim_tag(tag) == slim


def test_gems_and_without_in_both_stages():
    r = convert(GEMS.format(tag="3.1"))
    assert r.language == "ruby" and r.runtime_base == "ruby:3.1-slim"
    builder, rt = r.text.split("# runtime:", 1)
    assert "ENV BUNDLE_WITHOUT=development:test" in builder and "ENV BUNDLE_WITHOUT=development:test" in rt
    assert "COPY --from=builder /usr/local/bundle /usr/local/bundle" in rt


def test_development_env_keeps_groups():
    r = convert(GEMS.format(tag="3.1").replace("WORKDIR", "ENV RAILS_ENV=development\nWORKDIR"))
    assert "BUNDLE_WITHOUT" not in r.text


def test_own_without_setting_respected():
    r = convert(GEMS.format(tag="3.1").replace("bundle install", "bundle config set --local without test "
                                                                  "&& bundle install"))
    assert "BUNDLE_WITHOUT" not in r.text


def test_dev_package_maps_to_runtime_library():
    r = convert(GEMS.format(tag="3.1").replace("WORKDIR", "RUN apt-get update && apt-get install -y libpq-dev\n"
                                                          "WORKDIR"))
    assert "libpq5" in r.text.split("# runtime:", 1)[1]


def test_gemfile_lock_native_gems(tmp_path):
    (tmp_path / "Gemfile").write_text('source "https://rubygems.org"\ngem "pg"\ngem "mysql2"\n')
    (tmp_path / "Gemfile.lock").write_text("GEM\n  specs:\n    mysql2 (0.5.5)\n    pg (1.5.4)\n"
                                           "    nokogiri (1.15.4-x86_64-linux)\n")
    r = convert(GEMS.format(tag="3.2"), tmp_path)
    rt = r.text.split("# runtime:", 1)[1]
    assert "libpq5" in rt and "libmariadb3" in rt and "BUNDLE_WITHOUT" not in rt   # no dev groups in this Gemfile


def test_vendor_bundle_deployment_comes_with_app():
    r = convert(GEMS.format(tag="3.1").replace("bundle install", "bundle config set deployment true && bundle install"))
    assert r.status == "converted"
    assert any("vendor/bundle" in d and "app directory" in d for d in r.decisions)


def test_not_a_ruby_image_refused():
    r = convert("FROM debian:12\nRUN apt-get install -y ruby-full\nCOPY Gemfile .\nRUN bundle install\n"
                "CMD [\"ruby\", \"app.rb\"]\n")
    assert r.status == "refused" and r.reason_code == "ruby-version-unknown"

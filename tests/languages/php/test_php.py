"""PHP: official images keep their family, extensions are copied, composer drops require-dev."""
from __future__ import annotations

from msbrewrite import convert


def _runtime(text: str) -> str:
    return text.split("# runtime:", 1)[1]


def test_extensions_copied_with_their_libraries_not_installed_again():
    r = convert("FROM php:8.2-apache\n"
                "RUN apt-get update && apt-get install -y libpng-dev libicu-dev && docker-php-ext-install gd intl\n"
                "COPY src/ /var/www/html/\n")
    assert r.status == "converted" and r.language == "php"
    rt = _runtime(r.text)
    assert "FROM php:8.2-apache" in rt
    assert "/usr/local/lib/php/extensions" in rt and "/usr/local/etc/php" in rt
    assert "libpng16-16" in rt and "libicu72" in rt
    assert "docker-php-ext-install" not in rt and "libpng-dev" not in rt


def test_apache_keeps_root_even_without_expose():
    r = convert("FROM php:8.2-apache\nCOPY . /var/www/html/\n")
    assert "USER" not in _runtime(r.text)


def test_composer_without_no_dev_gets_a_production_install():
    r = convert("FROM php:8.2-fpm\nCOPY --from=composer:2 /usr/bin/composer /usr/bin/composer\n"
                "WORKDIR /var/www/html\nCOPY . .\nRUN composer install --no-interaction\n")
    assert "composer install --no-dev --optimize-autoloader" in r.text
    assert "composer" not in _runtime(r.text)


def test_composer_no_dev_already_left_alone():
    r = convert("FROM php:8.2-fpm\nWORKDIR /app\nCOPY . .\nRUN composer install --no-dev\nCMD [\"php-fpm\"]\n")
    assert r.text.count("composer install") == 1


def test_var_www_copied_whole():
    r = convert("FROM php:8.2-apache\nCOPY . /var/www\n")
    assert "COPY --from=builder /var/www /var/www" in r.text


def test_apt_php_on_other_distribution_refused():
    r = convert("FROM fedora:39\nRUN dnf install -y php httpd\nCOPY . /var/www/html\nCMD [\"php\", \"-S\", \"0:80\"]\n")
    assert r.status == "refused" and r.reason_code == "php-unknown-base"


def test_apt_apache_keeps_base_and_drops_build_tools():
    r = convert("FROM debian:bookworm\nRUN apt-get update && apt-get install -y apache2 libapache2-mod-php php-gd "
                "composer git && a2enmod rewrite\nCOPY . /var/www/html/\nCMD [\"apachectl\", \"-D\", \"FOREGROUND\"]\n")
    rt = _runtime(r.text)
    assert "FROM debian:bookworm" in rt and "libapache2-mod-php php-gd" in rt
    assert "composer" not in rt and " git" not in rt
    assert "/etc/apache2" in rt and "/etc/php" in rt


def test_apt_php_beside_software_of_its_own_refused():
    r = convert("FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y apache2 libapache2-mod-php\n"
                "RUN cd /tmp/tool && ./configure && make install\nCMD [\"/usr/local/bin/start_tool\"]\n")
    assert r.status == "refused" and r.reason_code == "php-apt-not-the-server"


def test_deno_binary_image_refused():
    r = convert("FROM denoland/deno:bin\nCOPY . .\nRUN deno cache main.ts\nCMD [\"run\", \"main.ts\"]\n")
    assert r.status == "refused" and r.reason_code == "deno-binary-image"

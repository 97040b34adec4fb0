"""The folders a base image owns: an app copied there merges with the system's files, so msb never
copies such a folder whole (only what the build put there, entry by entry)."""
from __future__ import annotations

SYSTEM = ("/", "/bin", "/sbin", "/lib", "/lib64", "/usr", "/etc", "/var", "/opt", "/home", "/root", "/tmp",
          "/proc", "/sys", "/dev", "/run", "/boot", "/mnt", "/media")

SYSTEM_TREES = ("/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/include", "/usr/share",
                "/usr/local/bin", "/usr/local/sbin", "/usr/local/lib", "/usr/local/include", "/usr/local/share",
                "/etc", "/bin", "/sbin", "/lib", "/lib64", "/proc", "/sys", "/dev", "/var/lib", "/var/cache",
                "/tmp", "/run", "/boot")


# /var/lib/<name> is a package's state: these names are the base images' own (Debian's package
# tools, the servers official images run); any other is the app's, which the build made
VAR_LIB_OWNED = {"apt", "dpkg", "ucf", "pam", "systemd", "misc", "dbus", "python", "sgml-base", "xml-core",
                 "polkit-1", "nginx", "apache2", "php", "mysql", "mariadb", "postgresql", "redis", "mongodb",
                 "rabbitmq", "docker", "containerd", "alternatives", "update-rc.d", "initramfs-tools", "locales",
                 "emacsen-common", "ca-certificates", "git", "sudo", "shells.state", "logrotate", "tomcat9",
                 "jetty9", "ldconfig", "apk", "rpm", "yum", "dnf"}


def is_system_dir(path: str) -> bool:
    """A directory the base image owns: never staged as an app directory."""
    if path.startswith("/var/lib/"):
        # `ADD . /var/lib/app`: an app kept where a package keeps its state is the app's folder
        return path.split("/")[3] in VAR_LIB_OWNED
    return path in SYSTEM or path in ("/usr/local", "/usr/src", "/var/www") or \
        any(path == t or path.startswith(t + "/") for t in SYSTEM_TREES)


# top-level folder names of a base image (`bin`, `etc`, `usr`...)
TOP_SYSTEM = {p.strip("/") for p in SYSTEM + SYSTEM_TREES if p.count("/") == 1} | {"srv", "usr", "var"}

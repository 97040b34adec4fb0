"""Round 3 fidelity: the runtime Java from the build, artifacts carried exactly, junk left out."""
from __future__ import annotations

import pytest
from conftest import make_context

from msbrewrite import convert

JAR_CMD = 'WORKDIR /app\nCOPY . .\nRUN mvn -B package\nCMD ["java", "-jar", "target/app.jar"]\n'


# ------------------------------------------------------------------ 6. the runtime Java from the build

@pytest.mark.parametrize("fetch,major", [
    ("RUN curl -fsSLo /tmp/jdk.tgz https://github.com/adoptium/temurin21-binaries/releases/download/"
     "jdk-21.0.3%2B9/OpenJDK21U-jdk_x64_linux_hotspot_21.0.3_9.tar.gz && tar -xzf /tmp/jdk.tgz -C /opt", 21),
    ("RUN wget -q https://api.adoptium.net/v3/binary/latest/17/ga/linux/x64/jdk/hotspot/normal/eclipse -O /j.tgz", 17),
    ("ADD https://corretto.aws/downloads/latest/amazon-corretto-21-x64-linux-jdk.tar.gz /opt/", 21),
    ("ARG JDK=17\nRUN curl -L https://download.java.net/java/GA/jdk${JDK}/openjdk-${JDK}_linux-x64_bin.tar.gz | tar -xz", 17),
    ('RUN curl -s https://get.sdkman.io | bash\n'
     'RUN bash -c "source /root/.sdkman/bin/sdkman-init.sh && sdk install java 21.0.2-tem && sdk install maven"', 21),
])
def test_a_jdk_the_build_downloads_names_the_runtime_java(fetch, major):
    text = f"FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y curl\n{fetch}\n{JAR_CMD}"
    result = convert(text)
    assert result.status == "converted", result.reason
    assert result.runtime_base == f"gcr.io/distroless/java{major}-debian12:nonroot"
    assert result.decisions[0].startswith(f"Java {major} (JDK ")


def test_a_library_jar_named_for_a_jdk_is_not_a_jdk():
    """Bouncy Castle's bcprov-jdk18on runs on any Java 8+: it names no JDK the build runs on."""
    text = ("FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y openjdk-17-jdk maven curl\n"
            "RUN curl -o /opt/bc.jar https://repo1.maven.org/maven2/org/bouncycastle/bcprov-jdk18on/1.78/"
            f"bcprov-jdk18on-1.78.jar\n{JAR_CMD}")
    assert convert(text).decisions[0].startswith("Java 17 (package openjdk-17-jdk)")


GRADLE_11 = ('FROM gradle:8.5-jdk11\nWORKDIR /home/gradle/src\nCOPY . .\nRUN gradle bootJar --no-daemon\n'
             'CMD ["java", "-jar", "build/libs/app.jar"]\n')


@pytest.mark.parametrize("script", [
    "java { toolchain { languageVersion = JavaLanguageVersion.of(17) } }\n",
    "java {\n  sourceCompatibility = JavaVersion.VERSION_11\n  targetCompatibility = JavaVersion.VERSION_17\n}\n",
    "kotlin { jvmToolchain(17) }\n",
])
def test_a_gradle_level_above_the_builder_jdk_wins(tmp_path, script):
    """A toolchain compiles for 17 on a JDK 11 builder: JRE 11 would stop with UnsupportedClassVersionError."""
    ctx = make_context(tmp_path, {"settings.gradle": "rootProject.name = 'app'\n",
                                  "build.gradle": "plugins { id 'org.springframework.boot' version '3.2.0' }\n" + script})
    result = convert(GRADLE_11, ctx)
    assert result.runtime_base == "gcr.io/distroless/java17-debian12:nonroot"
    assert result.decisions[0] == ("Java 17 (the Java level set in the build file; "
                                   "above 11 (builder image gradle:8.5-jdk11))")


POM = ('<project xmlns="http://maven.apache.org/POM/4.0.0"><artifactId>{aid}</artifactId><version>1</version>'
       '{extra}</project>')


def test_a_maven_module_level_above_the_builder_jdk_wins(tmp_path):
    ctx = make_context(tmp_path, {
        "pom.xml": POM.format(aid="root", extra="<packaging>pom</packaging><modules><module>web</module></modules>"
                                                "<properties><maven.compiler.release>11</maven.compiler.release>"
                                                "</properties>"),
        "web/pom.xml": POM.format(aid="web", extra="<properties><java.version>17</java.version></properties>")})
    text = ('FROM maven:3.8.6-openjdk-11\nWORKDIR /app\nCOPY . .\nRUN mvn -B package\n'
            'CMD ["java", "-jar", "web/target/web-1.jar"]\n')
    assert convert(text, ctx).runtime_base == "gcr.io/distroless/java17-debian12:nonroot"


def test_a_maven_command_line_level_counts(tmp_path):
    ctx = make_context(tmp_path, {"pom.xml": POM.format(aid="app", extra="")})
    text = ('FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn -B package -Dmaven.compiler.release=21\n'
            'CMD ["java", "-jar", "target/app-1.jar"]\n')
    assert convert(text, ctx).runtime_base == "gcr.io/distroless/java21-debian12:nonroot"

"""Maven and Gradle build-file reading: archive names, properties, modules, Java levels."""
from __future__ import annotations

import pytest

from msbrewrite import Options, convert
from msbrewrite.model.context import Context
from msbrewrite.languages.java.build import java_major_of
from msbrewrite.languages.java.gradle import gradle_projects, task_block
from msbrewrite.languages.java.maven import load_pom, maven_archives


def write(root, files: dict[str, str]) -> Context:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Context(root)


def pom(body: str) -> str:
    return f'<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n{body}\n</project>\n'


def test_artifact_id_and_version(tmp_path):
    ctx = write(tmp_path, {"pom.xml": pom("<artifactId>svc</artifactId><version>1.2.3</version>")})
    [a] = maven_archives(ctx, "pom.xml")
    assert a.path == "target/svc-1.2.3.jar" and not a.runnable


def test_final_name_with_nested_properties(tmp_path):
    ctx = write(tmp_path, {"pom.xml": pom(
        "<artifactId>svc</artifactId><version>2.0</version>"
        "<properties><dist>${project.artifactId}-${project.version}-dist</dist></properties>"
        "<build><finalName>${dist}</finalName></build>")})
    assert maven_archives(ctx, "pom.xml")[0].path == "target/svc-2.0-dist.jar"


def test_revision_from_command_line_beats_the_pom(tmp_path):
    ctx = write(tmp_path, {"pom.xml": pom(
        "<artifactId>svc</artifactId><version>${revision}</version><properties><revision>0.0.1</revision></properties>")})
    assert maven_archives(ctx, "pom.xml")[0].path == "target/svc-0.0.1.jar"
    assert maven_archives(ctx, "pom.xml", {"revision": "4.5.6"})[0].path == "target/svc-4.5.6.jar"


def test_unresolvable_property_gives_no_name(tmp_path):
    ctx = write(tmp_path, {"pom.xml": pom("<artifactId>svc</artifactId><version>${ci.version}</version>")})
    assert maven_archives(ctx, "pom.xml") == []


def test_modules_inherit_version_and_properties_from_the_local_parent(tmp_path):
    parent = "<parent><groupId>g</groupId><artifactId>root</artifactId><version>7.1</version></parent>"
    ctx = write(tmp_path, {
        "pom.xml": pom("<groupId>g</groupId><artifactId>root</artifactId><version>7.1</version><packaging>pom</packaging>"
                       "<properties><suffix>final</suffix></properties>"
                       "<modules><module>lib</module><module>app</module></modules>"),
        "lib/pom.xml": pom(parent + "<artifactId>lib</artifactId>"),
        "app/pom.xml": pom(parent + "<artifactId>app</artifactId><build><finalName>app-${suffix}</finalName>"
                           "<plugins><plugin><groupId>org.springframework.boot</groupId>"
                           "<artifactId>spring-boot-maven-plugin</artifactId></plugin></plugins></build>")})
    archives = maven_archives(ctx, "pom.xml")
    assert [a.path for a in archives] == ["lib/target/lib-7.1.jar", "app/target/app-final.jar"]
    assert [a.runnable for a in archives] == [False, True]
    assert [a.path for a in maven_archives(ctx, "pom.xml", only=["app"])] == ["app/target/app-final.jar"]


def test_war_packaging_and_assembly_jar(tmp_path):
    ctx = write(tmp_path, {
        "web/pom.xml": pom("<artifactId>web</artifactId><version>1</version><packaging>war</packaging>"),
        "cli/pom.xml": pom("<artifactId>cli</artifactId><version>1</version><build><plugins><plugin>"
                           "<artifactId>maven-assembly-plugin</artifactId><configuration><descriptorRefs>"
                           "<descriptorRef>jar-with-dependencies</descriptorRef></descriptorRefs></configuration>"
                           "</plugin></plugins></build>")})
    web = maven_archives(ctx, "web/pom.xml")[0]
    assert (web.path, web.kind) == ("web/target/web-1.war", "war")
    assert maven_archives(ctx, "cli/pom.xml")[0].path == "cli/target/cli-1-jar-with-dependencies.jar"


def test_maven_java_level(tmp_path):
    ctx = write(tmp_path, {"pom.xml": pom("<artifactId>a</artifactId><version>1</version>"
                                          "<properties><java.version>1.8</java.version></properties>")})
    assert load_pom(ctx, "pom.xml").java_release() == 8


def test_broken_pom_is_ignored(tmp_path):
    ctx = write(tmp_path, {"pom.xml": "<project><artifactId>unclosed"})
    assert maven_archives(ctx, "pom.xml") == []


def test_gradle_boot_jar_is_never_the_plain_jar(tmp_path):
    ctx = write(tmp_path, {"settings.gradle": "rootProject.name = 'shop'\n",
                           "build.gradle": "plugins { id 'org.springframework.boot' version '3.2.0' }\nversion = '1.0'\n"})
    [proj] = gradle_projects(ctx, "", "app")
    archive = proj.archive()
    assert archive.path == "build/libs/shop-1.0.jar" and archive.runnable and archive.spring_boot


def test_gradle_defaults_to_the_directory_name_and_no_version(tmp_path):
    ctx = write(tmp_path, {"build.gradle": "plugins { id 'java' }\n"})
    assert gradle_projects(ctx, "", "workspace")[0].archive().path == "build/libs/workspace.jar"


def test_gradle_archive_file_name_in_kotlin_dsl(tmp_path):
    ctx = write(tmp_path, {"build.gradle.kts": 'plugins { id("org.springframework.boot") version "3.2.0" }\n'
                           'tasks.named<org.springframework.boot.gradle.tasks.bundling.BootJar>("bootJar") {\n'
                           '    archiveFileName.set("service.jar")\n}\n'})
    assert gradle_projects(ctx, "", "x")[0].archive().path == "build/libs/service.jar"


def test_gradle_subprojects_and_properties_version(tmp_path):
    ctx = write(tmp_path, {"settings.gradle": "rootProject.name = 'fleet'\ninclude 'api', ':tools:cli'\n",
                           "gradle.properties": "version=2.1\n",
                           "api/build.gradle": "plugins { id 'org.springframework.boot' }\n",
                           "tools/cli/build.gradle": "plugins { id 'com.github.johnrengelman.shadow' }\n"})
    paths = {p.name: p.archive().path for p in gradle_projects(ctx, "", "fleet")}
    assert paths == {"fleet": "build/libs/fleet-2.1.jar", "api": "api/build/libs/api-2.1.jar",
                     "cli": "tools/cli/build/libs/cli-2.1-all.jar"}


def test_gradle_toolchain_level():
    assert java_major_of("1.8") == 8 and java_major_of("21") == 21 and java_major_of("x") is None


def test_task_block_matches_braces():
    text = "bootJar {\n  manifest { attributes('a': 'b') }\n  archiveClassifier = 'boot'\n}\njar { enabled = false }\n"
    assert "archiveClassifier" in task_block(text, "bootJar")
    assert task_block(text, "jar").strip() == "enabled = false"


@pytest.mark.parametrize("image,major", [
    ("maven:3-eclipse-temurin-17", 17), ("maven:3.8.4-openjdk-11-slim", 11), ("maven:3.6.3-jdk-8-alpine", 8),
    ("gradle:jdk21", 21), ("gradle:7.4.2-jdk17", 17), ("openjdk:11", 11), ("amazoncorretto:21", 21),
    ("eclipse-temurin:8u402-b06-jdk", 8), ("adoptopenjdk/openjdk11", 11)])
def test_java_major_from_the_builder_image(image, major):
    text = f"FROM {image}\nWORKDIR /app\nCOPY app.jar /app/app.jar\nCMD [\"java\", \"-jar\", \"/app/app.jar\"]\n"
    result = convert(text)
    assert result.status == "converted"
    assert result.decisions[0].startswith(f"Java {major} ")
    expected = f"gcr.io/distroless/java{major}-debian12:nonroot" if major in (17, 21) else f"eclipse-temurin:{major}-jre"
    assert result.runtime_base == expected


def test_java_opts_in_shell_form_keeps_a_shell():
    text = "FROM openjdk:17\nCOPY app.jar /app.jar\nCMD java $JAVA_OPTS -jar /app.jar\n"
    result = convert(text)
    assert result.runtime_base == "eclipse-temurin:17-jre"
    assert result.text.rstrip().endswith("CMD java $JAVA_OPTS -jar /app.jar")


def test_distroless_entrypoint_is_cleared_for_a_cmd():
    result = convert("FROM eclipse-temurin:17-jdk\nCOPY a.jar /a.jar\nCMD [\"java\", \"-jar\", \"/a.jar\"]\n")
    assert "ENTRYPOINT []\nCMD [\"java\", \"-jar\", \"/a.jar\"]" in result.text


def test_runtime_slim_option_gives_temurin():
    result = convert("FROM eclipse-temurin:21-jdk\nCOPY a.jar /a.jar\nENTRYPOINT [\"java\", \"-jar\", \"/a.jar\"]\n",
                     options=Options(runtime="slim"))
    assert result.runtime_base == "eclipse-temurin:21-jre"


def test_quarkus_and_manifest_class_path(tmp_path):
    ctx = write(tmp_path, {
        "q/pom.xml": pom("<artifactId>q</artifactId><version>1</version><build><plugins><plugin>"
                         "<artifactId>quarkus-maven-plugin</artifactId></plugin></plugins></build>"),
        "t/pom.xml": pom("<artifactId>t</artifactId><version>1</version><build><plugins><plugin>"
                         "<artifactId>maven-jar-plugin</artifactId><configuration><archive><manifest>"
                         "<addClasspath>true</addClasspath><classpathPrefix>deps/</classpathPrefix>"
                         "</manifest></archive></configuration></plugin></plugins></build>")})
    assert maven_archives(ctx, "q/pom.xml")[0].path == "q/target/quarkus-app/quarkus-run.jar"
    thin = maven_archives(ctx, "t/pom.xml")[0]
    assert (thin.path, thin.class_path_dir) == ("t/target/t-1.jar", "deps")


@pytest.mark.parametrize("image", ["maven:3", "openjdk:latest", "eclipse-temurin"])
def test_unknown_java_version_runs_on_the_builders_own_jdk(image):
    """A floating tag may be any Java: a lower default JRE would stop with UnsupportedClassVersionError."""
    text = f"FROM {image}\nWORKDIR /app\nCOPY app.jar /app/app.jar\nCMD [\"java\", \"-jar\", \"/app/app.jar\"]\n"
    result = convert(text)
    assert result.status == "converted", result.reason
    assert result.runtime_base == image
    assert result.decisions[0].startswith("Java version not known")


def test_unknown_java_version_without_a_jdk_image_is_refused():
    text = ("FROM fedora:40\nRUN dnf install -y java-latest-openjdk-devel maven\nWORKDIR /app\n"
            "COPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n")
    result = convert(text)
    assert result.status == "refused" and result.reason_code == "java-version-unknown"

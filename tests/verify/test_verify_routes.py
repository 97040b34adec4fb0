"""The static route readers of `msb verify`, on small invented apps of each framework."""
from __future__ import annotations

import pytest

from msbrewrite.verify.routes import discover_routes, join, probe_path


def _app(tmp_path, files: dict[str, str]):
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return discover_routes(tmp_path)


def _paths(scan) -> list[str]:
    return sorted(r.path for r in scan.routes)


@pytest.mark.parametrize("pattern, path, sample", [
    ("/", "/", False),
    ("/api/items/:id", "/api/items/1", True),
    ("/books/{book_id}", "/books/1", True),
    ("/user/<int:uid>/posts", "/user/1/posts", True),
    ("/hello/<name>", "/hello/1", True),
    ("/v/{id:[0-9]+}", "/v/1", True),
    ("healthz", "/healthz", False),
])
def test_probe_path_fills_parameters_with_a_sample(pattern, path, sample):
    assert probe_path(pattern)[:2] == (path, sample)


@pytest.mark.parametrize("pattern, reason", [
    ("/static/*filepath", "wildcard route"),
    ("/files/{rest...}", "wildcard route"),
    ("/files/<path..>", "wildcard route"),
    ("^articles/(?P<year>[0-9]{4})/$", "regular-expression route"),
    ("/logout", "may change the app's state"),
    ("/admin/shutdown", "may change the app's state"),
    ("/api/items/:id/delete", "may change the app's state"),
])
def test_probe_path_skips_wildcards_and_regexes(pattern, reason):
    assert probe_path(pattern) == (None, False, reason)


def test_join():
    assert join("/api", "/items") == "/api/items"
    assert join("api/", "") == "/api/" and join("/api", "/") == "/api"
    assert join("/", "/x") == "/x"
    assert join("", "x") == "/x"


def test_flask_routes_blueprints_and_methods(tmp_path):
    scan = _app(tmp_path, {"app.py": '''
from flask import Flask, Blueprint
app = Flask(__name__)
api = Blueprint("api", __name__, url_prefix="/api")

@app.route("/")
def index(): ...

@app.route("/submit", methods=["POST"])
def submit(): ...

@app.route("/both", methods=["GET", "POST"])
def both(): ...

@api.route("/quote/<int:qid>")
def quote(qid): ...

@app.get("/healthz")
def health(): ...
'''})
    assert _paths(scan) == ["/", "/api/quote/1", "/both", "/healthz"]
    quote = next(r for r in scan.routes if r.path == "/api/quote/1")
    assert quote.sample and quote.framework == "flask" and quote.file == "app.py" and quote.line == 15


def test_fastapi_routes_with_router_prefix(tmp_path):
    scan = _app(tmp_path, {"main.py": '''
from fastapi import FastAPI, APIRouter
app = FastAPI()
router = APIRouter(prefix="/items")

@app.get("/")
async def root(): ...

@router.get("/{item_id}")
async def item(item_id: int): ...

@app.post("/upload")
async def upload(): ...
'''})
    assert _paths(scan) == ["/", "/items/1"]
    assert {r.framework for r in scan.routes} == {"fastapi"}


def test_django_urls_follow_includes(tmp_path):
    scan = _app(tmp_path, {
        "site/urls.py": '''
from django.urls import include, path, re_path
urlpatterns = [
    path("", views.home),
    path("blog/", include("blog.urls")),
    re_path(r"^about/$", views.about),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.archive),
]''',
        "blog/urls.py": '''
urlpatterns = [
    path("", views.index),
    path("<slug:slug>/", views.post),
]'''})
    assert _paths(scan) == ["/", "/about/", "/blog/", "/blog/1/"]
    assert [s["reason"] for s in scan.skipped] == ["regular-expression route"]


def test_express_routes_and_mounted_routers(tmp_path):
    scan = _app(tmp_path, {
        "server.js": '''
const express = require("express");
const todos = require("./routes/todos");
const app = express();
app.use("/api/todos", todos);
app.get("/", (req, res) => res.send("hi"));
app.get("/static/*", serve);
app.post("/login", login);
const v = cache.get("/not-a-route");
''',
        "routes/todos.js": '''
const router = require("express").Router();
router.get("/", list);
router.get("/:id", one);
module.exports = router;
''',
        "node_modules/x/index.js": 'app.get("/vendored", f)'})
    assert _paths(scan) == ["/", "/api/todos", "/api/todos/1"]
    assert scan.skipped[0]["pattern"] == "/static/*"


def test_koa_router_prefix_and_fastify_route_objects(tmp_path):
    scan = _app(tmp_path, {
        "koa.js": '''
const Koa = require("koa"); const Router = require("@koa/router");
const router = new Router({ prefix: "/v1" });
router.get("/status", ctx => { ctx.body = "ok" });
''',
        "fastify.mjs": '''
import Fastify from "fastify";
const fastify = Fastify();
fastify.get("/ping", async () => "pong");
fastify.route({ method: "GET", url: "/report", handler: h });
fastify.route({ method: "POST", url: "/upload", handler: h });
'''})
    assert _paths(scan) == ["/ping", "/report", "/v1/status"]
    assert {r.path: r.framework for r in scan.routes}["/v1/status"] == "koa"


def test_nest_controllers_with_global_prefix(tmp_path):
    scan = _app(tmp_path, {
        "src/main.ts": "const app = await NestFactory.create(AppModule);\napp.setGlobalPrefix('api');\n",
        "src/cats.controller.ts": '''
@Controller('cats')
export class CatsController {
  @Get()
  findAll() {}
  @Get(':id')
  findOne() {}
  @Post()
  create() {}
}
'''})
    assert _paths(scan) == ["/api/cats", "/api/cats/1"]


def test_go_net_http_gin_echo_chi_fiber(tmp_path):
    scan = _app(tmp_path, {
        "main.go": '''
package main
import "net/http"
func main() {
    mux := http.NewServeMux()
    mux.HandleFunc("/", index)
    mux.HandleFunc("GET /api/books/{id}", book)
    http.Handle("/static/", http.StripPrefix("/static/", fs))
}''',
        "gin/main.go": '''
import "github.com/gin-gonic/gin"
r := gin.Default()
r.GET("/ping", ping)
v1 := r.Group("/v1")
v1.GET("/users/:id", user)
r.POST("/upload", up)
''',
        "echo/main.go": 'import "github.com/labstack/echo/v4"\ne.GET("/echo", h)\n',
        "chi/main.go": 'import "github.com/go-chi/chi/v5"\nr.Get("/chi", h)\n',
        "fiber/main.go": 'import "github.com/gofiber/fiber/v2"\napi := app.Group("/api")\napi.Get("/fiber", h)\n',
        "main_test.go": 'mux.HandleFunc("/test-only", h)'})
    assert _paths(scan) == ["/", "/api/books/1", "/api/fiber", "/chi", "/echo", "/ping", "/static/", "/v1/users/1"]
    frameworks = {r.path: r.framework for r in scan.routes}
    assert frameworks["/ping"] == "gin" and frameworks["/echo"] == "echo"
    assert frameworks["/chi"] == "chi" and frameworks["/api/fiber"] == "fiber"


def test_rust_actix_axum_rocket(tmp_path):
    scan = _app(tmp_path, {
        "actix/src/main.rs": '''
use actix_web::{get, web, App};
#[get("/hello/{name}")]
async fn hello() {}
App::new().route("/health", web::get().to(health)).route("/submit", web::post().to(s))
''',
        "axum/src/main.rs": '''
use axum::{routing::get, Router};
let app = Router::new().route("/", get(root)).route("/users/:id", get(user).post(create));
''',
        "rocket/src/main.rs": '''
#[macro_use] extern crate rocket;
#[get("/world")]
fn world() -> &'static str { "hi" }
rocket::build().mount("/hello", routes![world])
'''})
    assert _paths(scan) == ["/", "/health", "/hello/1", "/hello/world", "/users/1"]


def test_spring_mappings(tmp_path):
    scan = _app(tmp_path, {"src/main/java/x/Api.java": '''
@RestController
@RequestMapping("/api")
public class Api {
    @GetMapping("/items")
    public List<Item> items() {}
    @GetMapping(value = {"/a", "/b"})
    public String ab() {}
    @GetMapping
    public String root() {}
    @PostMapping("/items")
    public Item add() {}
    @RequestMapping(value = "/legacy", method = RequestMethod.GET)
    public String legacy() {}
}'''})
    assert _paths(scan) == ["/api", "/api/a", "/api/b", "/api/items", "/api/legacy"]


def test_limit_and_duplicates(tmp_path):
    body = "\n".join(f'app.get("/r{i}", h)\napp.get("/r{i}", h)' for i in range(10))
    scan = discover_routes(_write(tmp_path, "s.js", body), limit=4)
    assert _paths(scan) == ["/r0", "/r1", "/r2", "/r3"]
    assert sum(1 for s in scan.skipped if s["reason"] == "over the limit of 4") == 6


def _write(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return tmp_path


def test_empty_context(tmp_path):
    scan = discover_routes(tmp_path)
    assert scan.routes == [] and scan.skipped == []


def test_servers_without_a_framework(tmp_path):
    scan = _app(tmp_path, {
        "server.py": 'class H(BaseHTTPRequestHandler):\n    def do_GET(self):\n        if self.path == "/api/quote":\n            pass\n',
        "src/server.ts": 'if (url.pathname === "/healthz") { }\n',
        "App.java": 'server.createContext("/api/items", h);\n'})
    assert _paths(scan) == ["/api/items", "/api/quote", "/healthz"]


def test_routes_that_write_are_named_as_never_sent(tmp_path):
    scan = _app(tmp_path, {
        "server.js": "const app = express();\napp.get('/notes', list);\napp.post('/notes', add);\n"
                     "app.use('/api/todos', require('./routes/todos'));\naxios.post('/elsewhere', {});\n",
        "routes/todos.js": "router.get('/', all);\nrouter.post('/', add);\nrouter.delete('/:id', drop);\n",
        "app.py": "@app.route('/upload', methods=['GET', 'POST'])\ndef up(): pass\n"
                  "@router.put('/items/{item_id}')\ndef put(): pass\n@app.route('/about')\ndef about(): pass\n",
        "main.go": 'mux.HandleFunc("POST /entries", add)\nr.PATCH("/entries/:id", edit)\nr.GET("/entries", all)\n',
        "src/lib.rs": '#[post("/todo")]\nasync fn add() {}\nRouter::new().route("/todo/:id", delete(drop));\n',
        "src/notes.controller.ts": "@Controller('notes')\nclass Notes {\n  @Post()\n  add() {}\n}\n",
        "Api.java": '@RequestMapping("/shop")\npublic class Api {\n@PostMapping("/orders")\npublic Order add() {}\n'
                    '@DeleteMapping(value = "/orders/{id}")\n',
    })
    assert scan.writes == [
        "POST /shop/orders (Api.java:3)", "DELETE /shop/orders/{id} (Api.java:5)",
        "POST /upload (app.py:1)", "PUT /items/{item_id} (app.py:3)",
        "POST /entries (main.go:1)", "PATCH /entries/:id (main.go:2)",
        "POST /todo (src/lib.rs:1)", "DELETE /todo/:id (src/lib.rs:3)",
        # JavaScript last, once the prefixes routers are mounted at are known
        "POST /notes (server.js:3)",
        "POST /api/todos (routes/todos.js:2)", "DELETE /api/todos/:id (routes/todos.js:3)",
        "POST /notes (src/notes.controller.ts:3)",
    ]
    # reading routes is unchanged: the GET ones are probed, the written ones are not
    assert "/notes" in _paths(scan) and "/entries" in _paths(scan) and "/upload" in _paths(scan)

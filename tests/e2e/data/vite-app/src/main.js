document.querySelector("#app").textContent = "Hello from the Vite app";

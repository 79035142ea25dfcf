export async function watchlistsPage(root) { root.textContent = "w"; }
export async function watchlistPage(root, id) { root.textContent = id; }

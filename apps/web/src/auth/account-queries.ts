import { graphql } from "@/gql";

/** Who is signed in; the session cookie decides, so this is only ever asked from the browser. */
export const ViewerDocument = graphql(`
  query Viewer {
    me {
      id
      email
      name
      role
    }
  }
`);

export const LogInDocument = graphql(`
  mutation LogIn($email: String!, $password: String!) {
    logIn(email: $email, password: $password) {
      id
      email
      name
      role
    }
  }
`);

export const SignUpDocument = graphql(`
  mutation SignUp($email: String!, $password: String!, $name: String) {
    signUp(email: $email, password: $password, name: $name) {
      id
      email
      name
      role
    }
  }
`);

export const LogOutDocument = graphql(`
  mutation LogOut {
    logOut
  }
`);
